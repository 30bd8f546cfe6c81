        install_requires=parse_requirements('./requirements.txt'),
