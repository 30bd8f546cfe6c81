    install_requires=['numpy'],  # note: can't require torch here as it will install torch even for a TensorFlow container
    python_requires='>=3.6',
