        install_requires=parse_requirements('requirements/runtime.txt'),
