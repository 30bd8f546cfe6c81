        python_requires=">=3.7",
        install_requires=[
            "paddlepaddle-gpu>=1.8.0",
            "numpy",
            "sentencepiece",
            "termcolor",
            "tqdm"
        ]
