from desktop.ui.companies.page import CompaniesPage

__all__ = ["CompaniesPage"]
