from .organizations import LeadershipQuota, Organization
from .people import Occupancy, Person, Post
from .regions import Region
from .sites import Building, Canteen, Compound, Floor, ParkingLot, Room

__all__ = [
    "Building",
    "Canteen",
    "Compound",
    "Floor",
    "LeadershipQuota",
    "Occupancy",
    "Organization",
    "ParkingLot",
    "Person",
    "Post",
    "Region",
    "Room",
]
