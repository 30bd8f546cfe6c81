      install_requires=['numpy',
                        'tensorflow',
                        'networkx',
                        'scipy'
                        ],
