  pip intall -e . .[testing]
  """Downloads SimCLR data_utils.py as it's not built into an egg."""
  user_options = []
install_requires_projects = [
    "ott-jax>=0.2.0",
    "sklearn",
    "lingvo==0.11.0",
    "seaborn>=0.11.2",
    "dmvr @ git+https://github.com/deepmind/dmvr.git",
]
install_requires_core = [
    "absl-py>=1.0.0",
    "numpy>=1.12",
    "jax>=0.2.21",
    "jaxlib>=0.1.74",
    "flax>=0.4.0",
    "ml-collections>=0.1.1",
    "tensorflow>=2.7",
    "tensorflow-addons>=0.15.0",
    "immutabledict>=2.2.1",
    "clu>=0.0.6",
    "tensorflow-datasets",
    "tf-models-official",
    "tf_nightly==2.9.0.dev20220401",
]
    "pytest",
    "shapely",
] + install_requires_projects
    install_requires=install_requires_core,
        "simclr_download": DownloadSimCLRAugmentationCommand,
        "install": InstallCommand,
        "testing": tests_require,
        "Development Status :: 1 - Beta",
        "Intended Audience :: Developers",
        "Intended Audience :: Science/Research",
        "License :: OSI Approved :: Apache Software License",
        "Programming Language :: Python",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
    ],
