import KinshipService
import SegmentationService

await ServiceMain.run(.segmentation) { runtime in SegmentationApplication.build(runtime) }
