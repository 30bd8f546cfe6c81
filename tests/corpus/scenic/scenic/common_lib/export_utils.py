from jax.experimental import jax2tf
