"""Room drawings in (DXF via ezdxf, IFC via IfcOpenShell): polygons in metres, areas, labels, problems.

``read_drawing`` never raises on bad input: whatever is wrong with a file is returned as a list of
``Problem`` (Chinese text naming the layer, entity and coordinates), and its work is bounded.
"""

from gongfang.survey.drawings.results import DrawingResult, DrawnRoom, LayerInfo, Problem

__all__ = ["DrawingResult", "DrawnRoom", "LayerInfo", "Problem"]
