  # This assumes CUDA 11 and cuDNN 8.2.
  pip install -q 'jax[cuda]' -f https://storage.googleapis.com/jax-releases/jax_releases.html;
  pip install -q 'jax[tpu]>=0.2.16' -f https://storage.googleapis.com/jax-releases/libtpu_releases.html;
pip install -q --upgrade git+https://github.com/google/jax.git;
pip install -q --upgrade git+https://github.com/google/flax.git;
pip install -q absl-py cachetools chex einops ml_collections numpy optax pandas scipy tensorflow-cpu tfds-nightly;
