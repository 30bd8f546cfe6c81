    required = f.read().splitlines()
    install_requires=required,
    dependency_links=['https://download.pytorch.org/whl/cu113'],
