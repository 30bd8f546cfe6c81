  nvcc -std=c++14 -c -o ${OP_NAME}_kernel.cu.o \
    ${TF_CFLAGS[@]} -D GOOGLE_CUDA=1 -x cu -Xcompiler -fPIC --expt-relaxed-constexpr
