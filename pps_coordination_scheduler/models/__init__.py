from . import pps_schedule_problem
from . import pps_schedule_run
from . import pps_schedule_run_line
from . import mrp_production
from . import mrp_workorder
from . import sale_order
from . import pps_abnormality
