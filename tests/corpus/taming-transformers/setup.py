    install_requires=[
        'torch',
        'numpy',
        'tqdm',
    ],
