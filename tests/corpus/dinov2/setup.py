REQUIRES_PYTHON = ">=3.9.0"
def get_requirements(path: str = HERE / "requirements.txt") -> Tuple[List[str], List[str]]:
    install_requires=requirements,
