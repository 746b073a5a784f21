import IdentityService
import KinshipOutbox
import KinshipService

await ServiceMain.run(.identity) { runtime in IdentityApplication.build(runtime, consumerOptions: try OutboxConsumerOptions.load(.identity)) }
