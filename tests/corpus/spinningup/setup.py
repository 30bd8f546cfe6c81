assert sys.version_info.major == 3 and sys.version_info.minor >= 6, \
    install_requires=[
        'cloudpickle==1.2.1',
        'gym[atari,box2d,classic_control]>=0.10.8',
        'ipython',
        'joblib',
        'matplotlib==3.1.1',
        'mpi4py',
        'numpy',
        'pandas',
        'pytest',
        'psutil',
        'scipy',
        'seaborn==0.8.1',
        'tensorflow>=1.8.0,<2.0',
        'tqdm'
    ],
