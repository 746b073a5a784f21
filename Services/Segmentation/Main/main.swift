import KinshipOutbox
import KinshipService
import SegmentationService

await ServiceMain.run(.segmentation) { runtime in
    SegmentationApplication.build(
        runtime, configuration: try SegmentationConfiguration.load(), consumerOptions: try OutboxConsumerOptions.load(.segmentation)
    )
}
