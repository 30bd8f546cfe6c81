requirements = ["hydra-core==0.11.3", "pytorch-lightning==0.7.1"]
    install_requires=requirements,
