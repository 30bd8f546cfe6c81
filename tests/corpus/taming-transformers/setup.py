    packages=find_packages(),
    install_requires=[
        'torch',
        'numpy',
        'tqdm',
