from . import pps_delivery_kpi
from . import pps_date_change_analysis
