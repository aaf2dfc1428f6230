from . import pps_negotiation_request
from . import pps_negotiation_answer
from . import pps_negotiation_decide
from . import pps_unlock_wizard
from . import pps_weekly_meeting_report
