    python_requires='>=3.9',
