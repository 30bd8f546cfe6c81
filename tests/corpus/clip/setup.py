from setuptools import setup, find_packages
    install_requires=[
        for r in pkg_resources.parse_requirements(
            open(os.path.join(os.path.dirname(__file__), "requirements.txt"))
