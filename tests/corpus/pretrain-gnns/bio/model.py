import torch
from torch_scatter import scatter_add
        return self.propagate(self.aggr, edge_index, x=x, edge_attr=edge_embeddings)
        return self.propagate(self.aggr, edge_index, x=x, edge_attr=edge_embeddings, norm = norm)
        return self.propagate(self.aggr, edge_index, x=x, edge_attr=edge_embeddings)
        return self.propagate(self.aggr, edge_index, x=x, edge_attr=edge_embeddings)
