from jax import lax
