from torch._six import inf
