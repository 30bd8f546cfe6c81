    install_requires=[
