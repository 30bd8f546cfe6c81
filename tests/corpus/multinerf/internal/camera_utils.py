import jax.numpy as jnp
