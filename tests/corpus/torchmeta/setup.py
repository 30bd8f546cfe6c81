    install_requires=[
        'torch>=1.4.0,<1.7.0',
        'torchvision>=0.5.0,<0.8.0',
        'numpy>=1.14.0',
        'Pillow>=7.0.0',
        'h5py',
        'tqdm>=4.0.0',
        'requests',  # Required by Torchvision
        'ordered-set'
    ],
