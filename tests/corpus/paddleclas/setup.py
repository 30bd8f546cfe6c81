    install_requires=requirements,
