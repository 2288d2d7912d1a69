{
  "targets": [
    {
      "target_name": "linalg",
      "sources": ["linalg.c", "nn.c", "nn_batchnorm.c", "nn_pool.c", "nn_adam.c", "nn_bnrelu.c", "nn_direct.c", "nn_winograd.c"],
      "include_dirs": ["/usr/include/x86_64-linux-gnu/openblas-pthread"],
      "cflags": ["-O3", "-std=c11", "-fno-math-errno"],
      "libraries": ["-lopenblas", "-llapacke"]
    }
  ]
}
