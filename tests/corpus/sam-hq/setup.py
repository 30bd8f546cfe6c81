    install_requires=[],
        "all": ["matplotlib", "pycocotools", "opencv-python", "onnx", "onnxruntime", "timm"],
