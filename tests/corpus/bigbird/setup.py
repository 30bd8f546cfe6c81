  _REQUIREMENTS = fp.read().splitlines()
    install_requires=_REQUIREMENTS,
