    install_requires=["blobfile>=1.0.5", "torch", "tqdm"],
