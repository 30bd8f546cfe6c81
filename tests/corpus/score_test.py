#!/usr/bin/env python3
"""The corpus scorer's own judgements: version ranges, images, flavors and Dockerfile plans."""
import importlib.util
import os
import unittest

_spec = importlib.util.spec_from_file_location(
    "score", os.path.join(os.path.dirname(os.path.abspath(__file__)), "score.py"))
score = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(score)

EXPECTED = {"framework": "pytorch", "version": ">=1.1,<1.5", "flavor": "devel",
            "images": ["pytorch/pytorch:1.4-cuda10.1-cudnn7-devel"],
            "imagePatterns": ["nvidia/cuda:10.1-cudnn7-devel-*"]}


def plan(image, framework="pytorch", version="1.4.0", flavor="devel", mode="image", gpu=True):
    return {"plan": {"baseImage": image, "framework": framework, "frameworkVersion": version,
                     "flavor": flavor, "mode": mode, "gpu": gpu}}


class VersionRanges(unittest.TestCase):
    def test_release_candidates_and_local_versions_compare_as_releases(self):
        self.assertTrue(score.satisfies("2.3.0", ">=2.3.0rc0,<2.4"))
        self.assertTrue(score.satisfies("1.8.0a0+9907a3e", ">=1.7,<1.9"))
        self.assertTrue(score.satisfies("2.2.2+cu121", ">=2.2.2,<2.2.3"))
        self.assertFalse(score.satisfies("2.3.0rc0", ">=2.3.0"))

    def test_exclusions_and_wildcards(self):
        self.assertFalse(score.satisfies("1.12.0", ">=1.7,!=1.12.0,<2.0"))
        self.assertTrue(score.satisfies("1.12.1", ">=1.7,!=1.12.0,<2.0"))
        self.assertTrue(score.satisfies("1.7.1", "==1.7.*"))
        self.assertFalse(score.satisfies("1.70.0", "==1.7.*"))

    def test_a_malformed_range_is_an_error_not_a_miss(self):
        with self.assertRaises(score.CorpusError):
            score.satisfies("1.0", "about 1.4")


class Judging(unittest.TestCase):
    def test_an_expected_image_framework_version_and_flavor_pass(self):
        passed, _, reasons = score.judge(EXPECTED, plan("pytorch/pytorch:1.4-cuda10.1-cudnn7-devel"), None)
        self.assertTrue(passed, reasons)

    def test_a_pattern_matched_base_passes(self):
        passed, _, _ = score.judge(EXPECTED, plan("nvidia/cuda:10.1-cudnn7-devel-ubuntu18.04"), None)
        self.assertTrue(passed)

    def test_a_version_outside_the_range_misses_even_on_an_expected_image(self):
        passed, _, reasons = score.judge(
            EXPECTED, plan("nvidia/cuda:10.1-cudnn7-devel-ubuntu18.04", version="1.5.0"), None)
        self.assertFalse(passed)
        self.assertIn("version 1.5.0 outside >=1.1,<1.5", reasons)

    def test_a_runtime_image_misses_where_nvcc_is_needed(self):
        passed, _, reasons = score.judge(
            EXPECTED, plan("nvidia/cuda:10.1-cudnn7-devel-ubuntu18.04", flavor="runtime"), None)
        self.assertFalse(passed)
        self.assertIn("flavor runtime, expected devel", reasons)

    def test_a_cpu_plan_misses(self):
        passed, _, _ = score.judge(EXPECTED, plan("python:3.7-slim", framework="", version="",
                                                  flavor="cpu", gpu=False), None)
        self.assertFalse(passed)

    def test_a_failed_plan_misses_with_its_message(self):
        passed, _, reasons = score.judge(EXPECTED, None, "plan failed: error: unknown release")
        self.assertFalse(passed)
        self.assertEqual(reasons, ["plan failed: error: unknown release"])

    def test_a_dockerfile_plan_is_judged_on_its_base(self):
        expected = dict(EXPECTED, dockerfile="nvcr.io/nvidia/pytorch:19.12-py3")
        ok = plan("nvcr.io/nvidia/pytorch:19.12-py3", framework="", version="", flavor="", mode="dockerfile")
        wrong = plan("ubuntu:18.04", framework="", version="", flavor="", mode="dockerfile")
        self.assertTrue(score.judge(expected, ok, None)[0])
        self.assertFalse(score.judge(expected, wrong, None)[0])

    def test_a_plan_without_a_framework_field_is_judged_on_the_image_and_says_so(self):
        out = {"plan": {"baseImage": "pytorch/pytorch:1.4-cuda10.1-cudnn7-devel", "flavor": "devel"}}
        passed, _, reasons = score.judge(EXPECTED, out, None)
        self.assertTrue(passed)
        self.assertTrue(any("judged on the image only" in r for r in reasons))

    def test_an_expected_error_passes_only_on_an_error(self):
        self.assertTrue(score.judge({"error": True}, None, "plan failed: error: x")[0])
        self.assertFalse(score.judge({"error": True}, plan("python:3.7-slim"), None)[0])


class Entries(unittest.TestCase):
    def test_every_entry_of_the_corpus_is_well_formed(self):
        corpus = os.path.dirname(os.path.abspath(__file__))
        loaded = [score.load_entry(d) for d in score.entries(corpus, [])]
        self.assertGreaterEqual(len(loaded), 40)


if __name__ == "__main__":
    unittest.main()
