    Returns a dict with keys 'home', 'nvcc', 'include', and 'lib64'
    is based on finding 'nvcc' in the PATH.
        nvcc = pjoin(home, 'bin', 'nvcc')
        nvcc = find_in_path('nvcc', os.environ['PATH'] + os.pathsep + default_path)
        if nvcc is None:
            raise EnvironmentError('The nvcc binary could not be '
        home = os.path.dirname(os.path.dirname(nvcc))
    cudaconfig = {'home':home, 'nvcc':nvcc,
def customize_compiler_for_nvcc(self):
    to gcc/nvcc works.
    # tell the compiler it can processes .cu
    self.src_extensions.append('.cu')
        if os.path.splitext(src)[1] == '.cu':
            # use the cuda for .cu files
            self.set_executable('compiler_so', CUDA['nvcc'])
            postargs = extra_postargs['nvcc']
        customize_compiler_for_nvcc(self.compiler)
    Extension(
    Extension(
    Extension('nms.gpu_nms',
        ['nms/nms_kernel.cu', 'nms/gpu_nms.pyx'],
        # we're only going to use certain compiler args with nvcc and not with gcc
                            'nvcc': ['-arch=sm_52',
