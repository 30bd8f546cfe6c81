        nvcc = pjoin(home, 'bin', 'nvcc')
        default_path = pjoin(os.sep, 'usr', 'local', 'cuda', 'bin')
