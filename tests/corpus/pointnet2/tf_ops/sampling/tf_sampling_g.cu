__global__ void cumsumKernel(int b,int n,const float * __restrict__ inp,float * __restrict__ out){
