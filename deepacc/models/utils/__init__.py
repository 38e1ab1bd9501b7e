from .local_centers import center_stats, top_proposal_per_class

__all__ = ['center_stats', 'top_proposal_per_class']
