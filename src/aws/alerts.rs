//! `alerts test` through the SNS and GuardDuty clients.

use super::sdk::{api_error, SdkStacks};
use super::*;

impl AlertsApi for SdkStacks {
    async fn topic(&self, region: &str, topic_arn: &str) -> ApiResult<Option<TopicState>> {
        self.reach
            .call("GetTopicAttributes", || async move {
                let sns = regional!(self, aws_sdk_sns, region);
                if let Err(e) = sns.get_topic_attributes().topic_arn(topic_arn).send().await {
                    return match api_error("GetTopicAttributes", e) {
                        ApiError::NotFound(_) => Ok(None),
                        ApiError::Api { code, .. } if code == "NotFound" => Ok(None),
                        other => Err(other),
                    };
                }
                // The topic's SubscriptionsConfirmed/Pending attributes lag by minutes; the
                // subscriptions themselves say at once.
                let mut state = TopicState {
                    subscriptions_confirmed: 0,
                    subscriptions_pending: 0,
                };
                let mut pages = sns
                    .list_subscriptions_by_topic()
                    .topic_arn(topic_arn)
                    .into_paginator()
                    .send();
                while let Some(page) = pages.next().await {
                    let page = page.map_err(|e| api_error("ListSubscriptionsByTopic", e))?;
                    for sub in page.subscriptions() {
                        match sub.subscription_arn() {
                            Some("PendingConfirmation") => state.subscriptions_pending += 1,
                            Some(_) => state.subscriptions_confirmed += 1,
                            None => {}
                        }
                    }
                }
                Ok(Some(state))
            })
            .await
    }

    async fn publish(
        &self,
        region: &str,
        topic_arn: &str,
        subject: &str,
        message: &str,
    ) -> ApiResult<String> {
        self.reach
            .call("Publish", || async move {
                let sns = regional!(self, aws_sdk_sns, region);
                let out = sns
                    .publish()
                    .topic_arn(topic_arn)
                    .subject(subject)
                    .message(message)
                    .send()
                    .await
                    .map_err(|e| api_error("Publish", e))?;
                Ok(out.message_id().unwrap_or_default().to_string())
            })
            .await
    }

    async fn create_sample_findings(
        &self,
        region: &str,
        finding_types: &[String],
    ) -> ApiResult<SampleFindings> {
        self.reach
            .call("CreateSampleFindings", || async move {
                let gd = regional!(self, aws_sdk_guardduty, region);
                let Some(id) = super::discover::detector_id(&gd).await? else {
                    return Ok(SampleFindings::NoDetector);
                };
                gd.create_sample_findings()
                    .detector_id(&id)
                    .set_finding_types(Some(finding_types.to_vec()))
                    .send()
                    .await
                    .map_err(|e| api_error("CreateSampleFindings", e))?;
                Ok(SampleFindings::Created { detector_id: id })
            })
            .await
    }
}
