# Import FusedLayerNorm if we have apex, otherwise use regular LayerNorm
    from apex.normalization import FusedLayerNorm
    print("Using apex FusedLayerNorm")
