    install_requires=fetch_requirements("requirements/requirements.txt"),
    extras_require={
