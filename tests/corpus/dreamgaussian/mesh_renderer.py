import nvdiffrast.torch as dr
            self.glctx = dr.RasterizeCudaContext()
