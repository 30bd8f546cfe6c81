    install_requires=[
        'jax',
        'tensorflow-cpu',
