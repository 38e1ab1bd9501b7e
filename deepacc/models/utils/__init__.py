from .local_centers import top_proposal_per_class

__all__ = ['top_proposal_per_class']
