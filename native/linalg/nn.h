/* tfjs training kernels (nn.c), exported on the linalg addon next to the BLAS/LAPACK entry points. */
#ifndef BRAINALIGN_NN_H
#define BRAINALIGN_NN_H
#include <node_api.h>

/* Adds conv2d, conv2dFilterGrad, conv2dInputGrad, maxPoolGrad and batchMatMul to exports; 0 on failure. */
int nn_register(napi_env env, napi_value exports);

/* Adds bnForward and bnBackward (nn_batchnorm.c); 0 on failure. */
int nn_batchnorm_register(napi_env env, napi_value exports);

/* Adds adam (nn_adam.c): one fused Adam update per variable; 0 on failure. */
int nn_adam_register(napi_env env, napi_value exports);

/* Adds bnReluPoolForward and bnReluPoolBackward (nn_bnrelu.c): batch norm, ReLU and width max-pooling fused; 0 on failure. */
int nn_bnrelu_register(napi_env env, napi_value exports);

#endif
