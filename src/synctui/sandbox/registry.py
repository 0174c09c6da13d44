"""The simulators the sandbox serves, in banner order. Adding a vendor: one module, one line."""

from synctui.sandbox.letsbuild import LetsBuildSim
from synctui.sandbox.paragon import ParagonSim
from synctui.sandbox.polytomic import PolytomicSim
from synctui.sandbox.signalsmith import SignalsmithSim
from synctui.sandbox.speckle import SpeckleSim

SIMULATORS = [SpeckleSim, LetsBuildSim, PolytomicSim, SignalsmithSim, ParagonSim]
