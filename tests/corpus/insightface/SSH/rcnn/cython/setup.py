        nvcc = pjoin(home, 'bin', 'nvcc')
        nvcc = find_in_path('nvcc', os.environ['PATH'] + os.pathsep + default_path)
        Extension('gpu_nms',
            ['nms_kernel.cu', 'gpu_nms.pyx'],
                                'nvcc': ['-arch=sm_35',
