    mode = jax.pxla.InputsHandlerMode.pjit_or_xmap
    device_buffers = jax.pxla._shard_arg(x, local_devices, indices, mode)  # pylint: disable=protected-access
