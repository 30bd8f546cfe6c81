REQUIRES_PYTHON = '>=3.8.0'
REQUIRED = [i.strip() for i in open(HERE / 'requirements.txt') if not i.startswith('#')]
    install_requires=REQUIRED,
