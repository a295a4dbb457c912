//! `|k8sAutoscale()`, `|swarmAutoscale()`, `|ec2Autoscale()`: compute a replica count
//! with `.replicas(λ)` and scale a Kubernetes resource, a Docker Swarm service or an EC2
//! autoscaling group to it. One spec serves the three; each service adds its own string
//! settings to the shared ones.

use tickflow_model::Duration;

use crate::catalogue::{chain_method, ChainMethod, Created, Edges};
use crate::describe::{quote, Props};
use crate::edge::EdgeType;
use crate::lambda::Lambda;
use crate::nodes::{describe_entries, upsert, Names, NodeKind, NodeSpec};
use crate::property::{property, Property};

/// Which orchestrator an autoscale node scales.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AutoscaleService {
    /// `k8sAutoscale`.
    Kubernetes,
    /// `swarmAutoscale`.
    Swarm,
    /// `ec2Autoscale`.
    Ec2,
}

/// An autoscale node.
#[derive(Debug, Clone, PartialEq)]
pub struct AutoscaleNode {
    /// What is scaled.
    pub service: AutoscaleService,
    /// The configured cluster.
    pub cluster: String,
    /// The field holding the current replica count.
    pub current_field: String,
    /// The most replicas.
    pub max: i64,
    /// The fewest replicas (default 1).
    pub min: i64,
    /// The desired replica count.
    pub replicas: Option<Lambda>,
    /// The least time between two increases.
    pub increase_cooldown: Option<Duration>,
    /// The least time between two decreases.
    pub decrease_cooldown: Option<Duration>,
    /// The service's own settings (`namespace`, `serviceName`, `groupName`, …), by name.
    pub settings: Vec<(String, String)>,
}

impl AutoscaleNode {
    fn new(service: AutoscaleService) -> Self {
        AutoscaleNode {
            service,
            cluster: String::new(),
            current_field: String::new(),
            max: 0,
            min: 1,
            replicas: None,
            increase_cooldown: None,
            decrease_cooldown: None,
            settings: Vec::new(),
        }
    }

    fn set(&mut self, name: &str, value: String) {
        upsert(&mut self.settings, name.to_string(), value);
    }
}

/// A property table: the settings every service has, then the service's own string
/// settings.
macro_rules! autoscale_properties {
    ($($setting:literal),*) => {
        &[
            property!(Field "cluster", |n: AutoscaleNode, v: String| n.cluster = v),
            property!(Field "currentField", |n: AutoscaleNode, v: String| n.current_field = v),
            property!(Field "max", |n: AutoscaleNode, v: i64| n.max = v),
            property!(Field "min", |n: AutoscaleNode, v: i64| n.min = v),
            property!(Field "replicas", |n: AutoscaleNode, v: Lambda| n.replicas = Some(v)),
            property!(Field "increaseCooldown", |n: AutoscaleNode, v: Duration| n.increase_cooldown = Some(v)),
            property!(Field "decreaseCooldown", |n: AutoscaleNode, v: Duration| n.decrease_cooldown = Some(v)),
            $(property!(Field $setting, |n: AutoscaleNode, v: String| n.set($setting, v)),)*
        ]
    };
}

const KUBERNETES: &[Property<AutoscaleNode>] = autoscale_properties!(
    "namespace",
    "kind",
    "resourceName",
    "resourceNameTag",
    "namespaceTag",
    "kindTag",
    "resourceTag"
);
const SWARM: &[Property<AutoscaleNode>] =
    autoscale_properties!("serviceName", "serviceNameTag", "outputServiceNameTag");
const EC2: &[Property<AutoscaleNode>] =
    autoscale_properties!("groupName", "groupNameTag", "outputGroupNameTag");

impl NodeSpec for AutoscaleNode {
    /// The Kubernetes names; [`AutoscaleNode::names`] gives each service its own.
    const NAMES: Names<'static> = Names {
        method: "k8sAutoscale",
        desc: "k8s_autoscale",
        go_type: "*pipeline.K8sAutoscaleNode",
    };
    const PROPERTIES: &'static [Property<Self>] = KUBERNETES;

    fn names(&self) -> Names<'_> {
        match self.service {
            AutoscaleService::Kubernetes => Self::NAMES,
            AutoscaleService::Swarm => Names {
                method: "swarmAutoscale",
                desc: "swarm_autoscale",
                go_type: "*pipeline.SwarmAutoscaleNode",
            },
            AutoscaleService::Ec2 => Names {
                method: "ec2Autoscale",
                desc: "ec2_autoscale",
                go_type: "*pipeline.Ec2AutoscaleNode",
            },
        }
    }

    fn properties(&self) -> &'static [Property<Self>] {
        match self.service {
            AutoscaleService::Kubernetes => KUBERNETES,
            AutoscaleService::Swarm => SWARM,
            AutoscaleService::Ec2 => EC2,
        }
    }

    fn describe(&self, props: &mut Props) {
        props.text("cluster", &self.cluster);
        props.text("currentField", &self.current_field);
        props.put("max", self.max);
        props.put("min", self.min);
        props.opt("replicas", self.replicas.as_ref());
        props.opt("increaseCooldown", self.increase_cooldown);
        props.opt("decreaseCooldown", self.decrease_cooldown);
        describe_entries(props, "setting", &self.settings, |value| quote(value));
    }
}

fn autoscale(service: AutoscaleService) -> Created {
    Created::child(
        NodeKind::Autoscale(AutoscaleNode::new(service)),
        Edges::Provides(EdgeType::Stream),
    )
}

/// `|k8sAutoscale()`, `|swarmAutoscale()`, `|ec2Autoscale()`.
pub(crate) const CHAINS: &[ChainMethod] = &[
    chain_method!("k8sAutoscale", || autoscale(AutoscaleService::Kubernetes)),
    chain_method!("swarmAutoscale", || autoscale(AutoscaleService::Swarm)),
    chain_method!("ec2Autoscale", || autoscale(AutoscaleService::Ec2)),
];
