"""The pages: the operator inbox (``inbox``) and what the chat widget loads on a customer's site
(``widget``: the loader, its settings, the page-view beacon and the chat window)."""
